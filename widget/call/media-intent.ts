/**
 * Whether you want your microphone and camera on: one owner for the whole activity — the controller sets it
 * before a call (pre-join toggles), the room session reads and changes it during the call (your toggles, a
 * moderator's mute). A new activity starts with both on.
 */
export class MediaIntent {
  mic = true;
  camera = true;

  reset(): void {
    this.mic = true;
    this.camera = true;
  }
}
