import type { ProtocolError } from '../protocol';
import type { DeviceKind, DeviceOption, DeviceView } from '../widget/call/engine';

/**
 * Devices for the simulator: fixed lists, a preview stream the story supplies (a canvas in the demo, an empty
 * stream in tests), a steady mic level, and an optional problem (blocked permission, no device).
 */
export class SimulatedDevices implements DeviceView {
  cameras: DeviceOption[] = [
    { deviceId: 'cam-1', label: 'FaceTime HD Camera' },
    { deviceId: 'cam-2', label: 'USB Webcam' },
  ];
  microphones: DeviceOption[] = [
    { deviceId: 'mic-1', label: 'MacBook Microphone' },
    { deviceId: 'mic-2', label: 'USB Headset' },
  ];
  speakers: DeviceOption[] = [
    { deviceId: 'spk-1', label: 'MacBook Speakers' },
    { deviceId: 'spk-2', label: 'USB Headset' },
  ];
  selected: Partial<Record<DeviceKind, string>> = {};
  preview: MediaStream | undefined;
  micLevel = 0.55;
  speakerSelectable = true;
  previews = 0;

  constructor(
    private readonly onChange: () => void,
    public previewStream: () => MediaStream,
    public problem: ProtocolError | undefined = undefined,
  ) {}

  async startPreview(): Promise<void> {
    this.previews += 1;
    if (!this.problem) this.preview ??= this.previewStream();
    this.onChange();
  }

  stopPreview(): void {
    this.preview = undefined;
    this.onChange();
  }

  async select(kind: DeviceKind, deviceId: string): Promise<void> {
    this.selected = { ...this.selected, [kind]: deviceId };
    this.onChange();
  }
}
