import type { StopPoint } from '../domain/geo.ts';
import type { CsvRecord, CsvTable } from './csv.ts';
import { enumValue } from './gtfs-values.ts';
import type { Problems } from './problems.ts';
import { type BundleTables, checked, requiredValue, uniqueKeys } from './tables.ts';

/** Where a boarding is, in the bundle's terms: the network of each route and the areas of each stop. */
export interface Places {
  readonly networks: ReadonlySet<string>;
  readonly routeNetwork: ReadonlyMap<string, string>;
  readonly areas: ReadonlySet<string>;
  /** Each stop's areas, a platform inheriting its station's unless it has its own (stop_areas.txt). */
  readonly stopAreas: ReadonlyMap<string, readonly string[]>;
  /** The stops a rider boards at (location_type empty or 0) with their position, for GPS stop matching. */
  readonly stopPoints: readonly StopPoint[];
}

/** Reads networks.txt, route_networks.txt, areas.txt, stops.txt and stop_areas.txt. */
export function readPlaces(tables: BundleTables, timeZone: string): Places {
  const problems = tables.problems;
  const networks = ids(tables, 'networks.txt', 'network_id');
  const areas = ids(tables, 'areas.txt', 'area_id');

  const routeNetwork = new Map<string, string>();
  const routes = tables.get('route_networks.txt');
  for (const r of routes.records) {
    const network = requiredValue(routes, r, 'network_id', problems);
    const route = requiredValue(routes, r, 'route_id', problems);
    if (network !== null && !networks.has(network)) problems.add(routes.file, r.line, `network_id ${network} is not in networks.txt`);
    if (network === null || route === null) continue;
    // "A route_id can only be defined in one network_id."
    if (routeNetwork.has(route)) problems.add(routes.file, r.line, `route ${route} is already in network ${routeNetwork.get(route)}; a route belongs to one network`);
    else routeNetwork.set(route, network);
  }

  const { parentOf, points } = readStops(tables, timeZone, problems);
  const own = new Map<string, string[]>();
  const stopAreas = tables.get('stop_areas.txt');
  uniqueKeys(stopAreas, ['area_id', 'stop_id'], problems);
  for (const r of stopAreas.records) {
    const area = requiredValue(stopAreas, r, 'area_id', problems);
    const stop = requiredValue(stopAreas, r, 'stop_id', problems);
    if (area !== null && !areas.has(area)) problems.add(stopAreas.file, r.line, `area_id ${area} is not in areas.txt`);
    if (stop !== null && !parentOf.has(stop)) problems.add(stopAreas.file, r.line, `stop_id ${stop} is not in stops.txt`);
    if (area === null || stop === null) continue;
    const list = own.get(stop) ?? [];
    if (!list.includes(area)) list.push(area);
    own.set(stop, list);
  }

  // "If a station is defined in this field, it is assumed that all of its platforms ... are part of the same
  // area. This behavior can be overridden by assigning platforms to other areas." (stop_areas.txt)
  const resolved = new Map<string, readonly string[]>();
  for (const [stop, parent] of parentOf) {
    const list = own.get(stop) ?? (parent === null ? undefined : own.get(parent));
    if (list) resolved.set(stop, list);
  }
  return { networks, routeNetwork, areas, stopAreas: resolved, stopPoints: points };
}

function ids(tables: BundleTables, file: 'networks.txt' | 'areas.txt', column: string): Set<string> {
  const table = tables.get(file);
  uniqueKeys(table, [column], tables.problems);
  const out = new Set<string>();
  for (const r of table.records) {
    const id = requiredValue(table, r, column, tables.problems);
    if (id !== null) out.add(id);
  }
  return out;
}

/** stop_id → parent_station (null when none), and the boarding stops' positions; checks ids, parents, zones. */
function readStops(tables: BundleTables, timeZone: string, problems: Problems): { parentOf: Map<string, string | null>; points: StopPoint[] } {
  const stops = tables.get('stops.txt');
  uniqueKeys(stops, ['stop_id'], problems);
  const parentOf = new Map<string, string | null>();
  const points: StopPoint[] = [];
  for (const r of stops.records) {
    const id = requiredValue(stops, r, 'stop_id', problems);
    const type = r.get('location_type');
    if (type !== '') checked(stops, r, 'location_type', enumValue(type, [0, 1, 2, 3, 4]), problems);
    const zone = r.get('stop_timezone');
    if (zone !== '' && zone !== timeZone) {
      problems.add(stops.file, r.line, `stop_timezone ${zone} differs from the bundle's ${timeZone}: the validator reads timeframes in one zone`);
    }
    if (id !== null) parentOf.set(id, r.get('parent_station') || null);
    const lat = coordinate(stops, r, 'stop_lat', 90, problems);
    const lon = coordinate(stops, r, 'stop_lon', 180, problems);
    if (id !== null && (type === '' || type === '0') && lat !== null && lon !== null) points.push({ id, lat, lon });
  }
  for (const r of stops.records) {
    const parent = r.get('parent_station');
    if (parent !== '' && !parentOf.has(parent)) problems.add(stops.file, r.line, `parent_station ${parent} is not in stops.txt`);
  }
  return { parentOf, points };
}

/** A stop_lat or stop_lon: empty is none (allowed for generic nodes and boarding areas); else in range. */
function coordinate(table: CsvTable, r: CsvRecord, column: 'stop_lat' | 'stop_lon', limit: number, problems: Problems): number | null {
  const text = r.get(column);
  if (text === '') return null;
  const value = Number(text);
  if (Number.isFinite(value) && Math.abs(value) <= limit) return value;
  problems.add(table.file, r.line, `${column} ${text} is not a number from -${limit} to ${limit}`);
  return null;
}
