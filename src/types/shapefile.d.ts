// Types for shapefile 0.6 (Mike Bostock's streaming .shp/.dbf reader), the part landcarbon uses.
declare module 'shapefile' {
  interface Source<T> {
    read(): Promise<{ done: boolean; value: T }>;
    cancel(): Promise<void>;
  }
  export interface ShpFeature {
    type: 'Feature';
    properties: Record<string, unknown>;
    geometry: { type: string; coordinates: unknown } | null;
    bbox?: number[];
  }
  export function open(shp: string, dbf?: string, options?: { encoding?: string }): Promise<Source<ShpFeature>>;
}
