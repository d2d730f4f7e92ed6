import { SignalingError } from './signaling-client';

/** Camera capture sizes: 720p for quality, 360p for weak devices, many parties or tests. */
export const VIDEO_RESOLUTIONS = { '360p': { width: 640, height: 360 }, '720p': { width: 1280, height: 720 } } as const;
export type VideoResolution = keyof typeof VIDEO_RESOLUTIONS;

export interface LocalMediaOptions {
  video: boolean;
  resolution?: VideoResolution;
  audioDeviceId?: string;
  videoDeviceId?: string;
}

/**
 * Opens the microphone (and camera). Denied permission or a missing device becomes a typed error the UI can
 * explain, never a hang.
 */
export async function openLocalMedia(options: LocalMediaOptions): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new SignalingError('media_device_not_found', 'this browser cannot access a microphone or camera here (a secure https page is required)');
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: options.audioDeviceId ? { deviceId: { exact: options.audioDeviceId } } : true,
      video: options.video
        ? {
            width: { ideal: VIDEO_RESOLUTIONS[options.resolution ?? '720p'].width },
            height: { ideal: VIDEO_RESOLUTIONS[options.resolution ?? '720p'].height },
            ...(options.videoDeviceId ? { deviceId: { exact: options.videoDeviceId } } : {}) }
        : false,
    });
  } catch (error) {
    const name = (error as DOMException).name;
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      throw new SignalingError('media_permission_denied', 'microphone or camera access was blocked; allow it in the browser and try again');
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError') {
      throw new SignalingError('media_device_not_found', options.video ? 'no usable microphone or camera was found' : 'no usable microphone was found');
    }
    throw new SignalingError('media_device_not_found', `could not open media devices: ${(error as Error).message}`);
  }
}

/**
 * Opens a screen, window or tab for sharing. The user cancelling the picker, or a browser with nothing to
 * capture (e.g. headless Firefox), becomes a typed error the page can explain; the call goes on either way.
 */
export async function openScreenCapture(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getDisplayMedia) throw new SignalingError('media_device_not_found', 'this browser cannot share a screen here');
  try {
    return await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 }, audio: false });
  } catch (error) {
    const name = (error as DOMException).name;
    if (name === 'NotAllowedError' || name === 'SecurityError') throw new SignalingError('media_permission_denied', 'screen sharing was cancelled or blocked');
    throw new SignalingError('media_device_not_found', `there is no screen, window or tab to share (${name})`);
  }
}

export function stopStream(stream: MediaStream | undefined): void {
  stream?.getTracks().forEach((t) => t.stop());
}
