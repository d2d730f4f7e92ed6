/**
 * Fake remote media for the demo and its stories: an animated canvas per participant (their initial on a moving
 * colour field) captured as a MediaStream, so every grid story shows live video without a camera or server.
 */
export function fakeVideoStream(label: string, hue: number): MediaStream {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 180;
  const ctx = canvas.getContext('2d');
  let frame = 0;
  const draw = () => {
    if (!ctx) return;
    frame += 1;
    ctx.fillStyle = `hsl(${(hue + frame / 4) % 360} 55% 35%)`;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = 'rgb(255 255 255 / 85%)';
    ctx.beginPath();
    ctx.arc(160 + Math.sin(frame / 30) * 40, 90, 42, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = `hsl(${hue} 55% 30%)`;
    ctx.font = 'bold 40px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(label.slice(0, 1).toUpperCase(), 160 + Math.sin(frame / 30) * 40, 92);
  };
  draw();
  setInterval(draw, 1000 / 15);
  return canvas.captureStream(15);
}
