// The full libjpeg-turbo build of @cornerstonejs/codec-libjpeg-turbo-8bit carries an encoder; the package ships no types.
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs' {
  interface JpegEncoderInstance {
    getDecodedBuffer(info: { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean }): Uint8Array;
    getEncodedBuffer(): Uint8Array;
    setProgressive(progressive: boolean): void;
    encode(): void;
    delete(): void;
  }
  const factory: (options: { print(s: string): void; printErr(s: string): void }) => Promise<{ JPEGEncoder: new () => JpegEncoderInstance }>;
  export default factory;
}
