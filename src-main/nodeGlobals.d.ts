// @types/node declares TextDecoder/TextEncoder as values only (their types live in the DOM lib):
// give src-shared code type-checked under the Node projects the same instance types.
import type { TextDecoder as NodeTextDecoder, TextEncoder as NodeTextEncoder } from 'node:util';

declare global {
  interface TextDecoder extends NodeTextDecoder {}
  interface TextEncoder extends NodeTextEncoder {}
}
export {};
