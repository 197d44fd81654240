// A PNG icon drawn in code (an interchange: two crossing roads on a rounded tile), so the sources hold no binaries.
import zlib from 'node:zlib';

const CRC_TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(buf) {
  let c = -1;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** size×size RGBA; maskable icons fill the whole square (the platform crops), others have rounded corners. */
export function pngIcon(size, maskable) {
  const bg = [29, 78, 216], road = [255, 255, 255], ring = [250, 204, 21];
  const raw = Buffer.alloc(size * (size * 4 + 1));
  const r = size * 0.18, c = size / 2;
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      let a = 255;
      if (!maskable) {
        const dx = Math.max(r - x, x - (size - 1 - r), 0), dy = Math.max(r - y, y - (size - 1 - r), 0);
        if (dx * dx + dy * dy > r * r) a = 0;
      }
      let col = bg;
      const band = size * (maskable ? 0.07 : 0.09);
      const span = size * (maskable ? 0.3 : 0.38);
      const d = Math.hypot(x - c, y - c);
      if (Math.abs(d - size * 0.2) < size * 0.035) col = ring;
      if ((Math.abs(x - c) < band / 2 && Math.abs(y - c) < span) || (Math.abs(y - c) < band / 2 && Math.abs(x - c) < span)) col = road;
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = col[0]; raw[o + 1] = col[1]; raw[o + 2] = col[2]; raw[o + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}
