// The part of the WebAssembly JS API that src/shm/wasm.ts uses. TypeScript ships these types only
// in lib.dom and @types/node does not declare them; Node 20 has the API itself.
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  type ExportValue = ((...args: number[]) => number) | Memory;
  type Imports = Record<string, Record<string, Memory | number>>;
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Record<string, ExportValue>;
  }
}
