// The part of the host's WebAssembly API the emulator uses. The emulator core is compiled without
// DOM or Node types (tsconfig.core.json), so it names only what it needs.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmTable {
  readonly length: number;
  set(index: number, value: unknown): void;
}

export interface WasmApi {
  readonly Table: new (descriptor: { element: 'anyfunc'; initial: number; maximum?: number }) => WasmTable;
  readonly Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  readonly Module: new (bytes: Uint8Array<ArrayBuffer>) => object;
  readonly Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
}

/** The host's WebAssembly, or undefined where there is none. */
export const wasmHost: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
