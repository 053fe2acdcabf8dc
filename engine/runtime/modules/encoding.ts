/** `k6/encoding`: base64 in k6's four variants (std, rawstd, url, rawurl). */

type Variant = 'std' | 'rawstd' | 'url' | 'rawurl';

function bytesOf(input: unknown): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (input instanceof ArrayBuffer || Object.prototype.toString.call(input) === '[object ArrayBuffer]') return Buffer.from(input as ArrayBuffer);
  if (ArrayBuffer.isView(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError('b64encode: the input must be a string or an ArrayBuffer');
}

function checkVariant(encoding: unknown): Variant {
  const v = encoding === undefined || encoding === '' ? 'std' : encoding;
  if (v !== 'std' && v !== 'rawstd' && v !== 'url' && v !== 'rawurl')
    throw new TypeError(`unknown base64 encoding "${String(encoding)}" (std, rawstd, url, rawurl)`);
  return v;
}

export function createEncoding(): Record<string, unknown> {
  const encoding = {
    b64encode(input: unknown, variant?: unknown): string {
      const v = checkVariant(variant);
      const text = bytesOf(input).toString(v === 'url' || v === 'rawurl' ? 'base64url' : 'base64');
      if (v === 'url') return text + '='.repeat((4 - (text.length % 4)) % 4);
      if (v === 'rawstd') return text.replace(/=+$/, '');
      return text;
    },
    b64decode(input: unknown, variant?: unknown, format?: unknown): string | ArrayBuffer {
      if (typeof input !== 'string') throw new TypeError('b64decode: the input must be a string');
      const v = checkVariant(variant);
      const data = Buffer.from(input, v === 'url' || v === 'rawurl' ? 'base64url' : 'base64');
      if (format === 's') return data.toString('utf8');
      return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
    },
  };
  return { ...encoding, default: encoding };
}
