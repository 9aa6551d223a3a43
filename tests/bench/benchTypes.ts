// One line of `npm run bench`'s table. `ratio` compares with a peer or a budget; `target` says
// what ratio passes (e.g. ">= 1.5x"), `pass` whether it did.
export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  ratio?: number;
  target?: string;
  pass?: boolean;
}
