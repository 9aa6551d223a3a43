// @types/node declares TextDecoder/TextEncoder as values only (their types live in the DOM lib):
// give src-shared code type-checked under the Node projects the same instance types.
import type { TextDecoder as NodeTextDecoder, TextEncoder as NodeTextEncoder } from 'node:util';

declare global {
  // Empty on purpose: the point is to give the global name Node's instance type.
  /* eslint-disable @typescript-eslint/no-empty-object-type */
  interface TextDecoder extends NodeTextDecoder {}
  interface TextEncoder extends NodeTextEncoder {}
  /* eslint-enable @typescript-eslint/no-empty-object-type */
}
export {};
