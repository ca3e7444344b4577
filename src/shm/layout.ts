// Shared-memory region layouts: named offsets, a magic/version header, separate allocate and attach.
// Runs in every thread (pure). A layout is a value computed once; nothing here touches Atomics
// except the header check on attach (acquire: the allocator published magic last).

/** Element kind of a field: Atomics-capable Int32, plain Float64, or Atomics-capable BigInt64. */
export type FieldKind = 'i32' | 'f64' | 'i64';

/** A field declaration: its kind and how many elements it holds (default 1). */
export interface FieldDecl {
  readonly kind: FieldKind;
  readonly count?: number;
}

const ELEM_BYTES: Record<FieldKind, number> = { i32: 4, f64: 8, i64: 8 };
/** Bytes of the header: magic (i32) then version (i32). */
export const HEADER_BYTES = 8;
const MAGIC_INDEX = 0; // i32 index of the magic word
const VERSION_INDEX = 1; // i32 index of the version word

/** Typed views over one region; every field index is into the view of its kind. */
export interface Views {
  readonly sab: SharedArrayBuffer;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly i64: BigInt64Array;
}

/** A declared region. `index[f]` is the element index of field f in the view of its kind. */
export interface Layout<F extends string> {
  readonly name: string;
  readonly magic: number;
  readonly version: number;
  /** Total bytes of the region, header included, rounded up to 8. */
  readonly BYTES: number;
  /** Byte offset of each field. */
  readonly offset: Readonly<Record<F, number>>;
  /** Element index of each field in the view of its kind (i32 → Int32Array, f64 → Float64Array, …). */
  readonly index: Readonly<Record<F, number>>;
  /** Allocate a zeroed region and publish its header. */
  allocate(): Views;
  /** Publish the header at the start of `sab` (zeroed, at least BYTES long): a region inside a larger buffer. */
  allocateIn(sab: SharedArrayBuffer): Views;
  /** Attach to a region made by `allocate()`, checking magic, version and size. */
  attach(sab: SharedArrayBuffer): Views;
}

/** Thrown by `attach` on a region that is not of this layout. */
export class LayoutError extends Error {
  readonly code = 'EINVAL' as const;
  constructor(message: string) {
    super(message);
    this.name = 'LayoutError';
  }
}

/** Wrap an existing SAB in the three views (no header check). */
export function viewsOf(sab: SharedArrayBuffer): Views {
  const whole = sab.byteLength - (sab.byteLength % 8);
  return {
    sab,
    i32: new Int32Array(sab, 0, whole / 4),
    f64: new Float64Array(sab, 0, whole / 8),
    i64: new BigInt64Array(sab, 0, whole / 8),
  };
}

/**
 * Declare a region. Fields are laid out in declaration order after the 8-byte header, each
 * starting on an 8-byte boundary (so i32 pairs never straddle a Float64 and Atomics on i64 is aligned);
 * the padding this adds is at most 4 bytes per i32 field with an odd count.
 */
export function defineLayout<F extends string>(
  name: string,
  magic: number,
  version: number,
  fields: Readonly<Record<F, FieldDecl>>,
): Layout<F> {
  const offset = {} as Record<F, number>;
  const index = {} as Record<F, number>;
  let at = HEADER_BYTES;
  for (const key of Object.keys(fields) as F[]) {
    const decl = fields[key];
    const count = decl.count ?? 1;
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`${name}.${key}: count must be a whole number ≥ 0`);
    offset[key] = at;
    index[key] = at / ELEM_BYTES[decl.kind];
    at += count * ELEM_BYTES[decl.kind];
    at = Math.ceil(at / 8) * 8;
  }
  const BYTES = at;
  return {
    name,
    magic,
    version,
    BYTES,
    offset,
    index,
    allocate(): Views {
      return this.allocateIn(new SharedArrayBuffer(BYTES));
    },
    allocateIn(sab: SharedArrayBuffer): Views {
      if (sab.byteLength < BYTES) throw new LayoutError(`${name}: region is ${sab.byteLength} bytes, layout needs ${BYTES}`);
      const views = viewsOf(sab);
      Atomics.store(views.i32, VERSION_INDEX, version);
      Atomics.store(views.i32, MAGIC_INDEX, magic); // publish: magic last, attach checks it first
      return views;
    },
    attach(sab: SharedArrayBuffer): Views {
      if (!(sab instanceof SharedArrayBuffer)) throw new LayoutError(`${name}: attach needs a SharedArrayBuffer`);
      if (sab.byteLength < BYTES) throw new LayoutError(`${name}: region is ${sab.byteLength} bytes, layout needs ${BYTES}`);
      const views = viewsOf(sab);
      const m = Atomics.load(views.i32, MAGIC_INDEX); // acquire: header published by allocate()
      if (m !== magic) {
        throw new LayoutError(`${name}: bad magic 0x${(m >>> 0).toString(16)}, expected 0x${(magic >>> 0).toString(16)}`);
      }
      const v = Atomics.load(views.i32, VERSION_INDEX);
      if (v !== version) throw new LayoutError(`${name}: version ${v}, this build reads version ${version}`);
      return views;
    },
  };
}
