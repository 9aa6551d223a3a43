// Every vtk object the renderer creates is registered here until it is deleted, so tests can count
// what a view leaves behind after it unmounts (DESIGN.md section 6, "Ownership").
import { renderRootStats } from './renderRoot';

interface Deletable {
  delete(): void;
}

export const liveVtkObjects = new Set<Deletable>();

/** Registers objects made by one owner; `release` deletes them all (the owner's unmount). */
export function ownedVtk() {
  const mine: Deletable[] = [];
  return {
    own<T extends Deletable>(obj: T): T {
      mine.push(obj);
      liveVtkObjects.add(obj);
      return obj;
    },
    /** Deletes one object before the owner goes (a replaced input, say). */
    drop(obj: Deletable): void {
      const i = mine.indexOf(obj);
      if (i < 0) return;
      mine.splice(i, 1);
      obj.delete();
      liveVtkObjects.delete(obj);
    },
    release(): void {
      for (const obj of mine.reverse()) {
        obj.delete();
        liveVtkObjects.delete(obj);
      }
      mine.length = 0;
    },
  };
}

declare global {
  interface Window {
    __enclaveStats?: () => { vtkObjects: number; contexts: number; childViews: number; openVolumes: number };
  }
}

let openVolumes = (): number => 0;
export function countOpenVolumesWith(fn: () => number): void {
  openVolumes = fn;
}

window.__enclaveStats = () => ({ vtkObjects: liveVtkObjects.size, ...renderRootStats(), openVolumes: openVolumes() });
