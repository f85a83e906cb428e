import type { LegRule, LegRules } from './read-leg-rules.ts';
import type { Places } from './read-places.ts';

const EMPTY = '';
const ONLY_EMPTY: readonly string[] = [EMPTY];

/**
 * fare_leg_rules.txt indexed by network, then departure area, so that matching a boarding is a few map
 * lookups. The empty-field semantics are decided here, once, by which keys a route or a stop looks up:
 *
 * - With a rule_priority column, an empty network_id or from_area_id "does not affect the matching": a
 *   boarding looks up its own network and area and the empty key, and the highest rule_priority wins.
 * - Without it, an empty field "corresponds to all networks [areas] ... excluding the ones listed under"
 *   that column: a boarding whose network (area) is listed by some rule looks up only that key, and one
 *   whose network (area) no rule lists looks up only the empty key.
 *
 * A route with no network and a stop in no area (or no stop known) have nothing to match but the empty key.
 */
export class LegIndex {
  private readonly rules = new Map<string, Map<string, LegRule[]>>();
  private readonly routeKeys = new Map<string, readonly string[]>();
  private readonly stopKeys = new Map<string, readonly string[]>();

  constructor(legs: LegRules, places: Places) {
    for (const rule of legs.rules) {
      const network = rule.networkId ?? EMPTY;
      const byArea = this.rules.get(network) ?? new Map<string, LegRule[]>();
      this.rules.set(network, byArea);
      const list = byArea.get(rule.fromAreaId ?? EMPTY) ?? [];
      byArea.set(rule.fromAreaId ?? EMPTY, list);
      list.push(rule);
    }
    const listedNetworks = new Set(legs.rules.flatMap((r) => (r.networkId === null ? [] : [r.networkId])));
    const listedAreas = new Set(legs.rules.flatMap((r) => (r.fromAreaId === null ? [] : [r.fromAreaId])));
    for (const [route, network] of places.routeNetwork) {
      if (legs.priorityMode) this.routeKeys.set(route, [network, EMPTY]);
      else if (listedNetworks.has(network)) this.routeKeys.set(route, [network]);
    }
    for (const [stop, areas] of places.stopAreas) {
      if (legs.priorityMode) this.stopKeys.set(stop, [...areas, EMPTY]);
      else {
        const listed = areas.filter((a) => listedAreas.has(a));
        if (listed.length > 0) this.stopKeys.set(stop, listed);
      }
    }
  }

  /**
   * The rules a boarding matches, all of the highest rule_priority among the matches (none: the fare is
   * unknown). `inTimeframe` answers for from_timeframe_group_id; an empty one "does not affect the matching".
   */
  match(route: string | null, stop: string | null, inTimeframe: (group: string) => boolean): LegRule[] {
    const networks = (route === null ? undefined : this.routeKeys.get(route)) ?? ONLY_EMPTY;
    const areas = (stop === null ? undefined : this.stopKeys.get(stop)) ?? ONLY_EMPTY;
    let best = -1;
    const found: LegRule[] = [];
    for (const network of networks) {
      const byArea = this.rules.get(network);
      if (!byArea) continue;
      for (const area of areas) {
        for (const rule of byArea.get(area) ?? []) {
          if (rule.priority < best) continue;
          if (rule.fromTimeframeGroupId !== null && !inTimeframe(rule.fromTimeframeGroupId)) continue;
          // "When multiple entries in fare_leg_rules.txt match, the rule or set of rules with the highest
          // value for rule_priority will be selected."
          if (rule.priority > best) {
            best = rule.priority;
            found.length = 0;
          }
          found.push(rule);
        }
      }
    }
    return found;
  }
}
