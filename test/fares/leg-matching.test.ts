import { describe, expect, it } from 'vitest';
import { Reason } from '../../src/domain/reasons.ts';
import { GtfsFarePolicy } from '../../src/fares/gtfs-fare-policy.ts';
import { bundle, card, context, csv } from './support.ts';

/** Networks a (listed by a rule) and b (not); areas Z (listed) and Y (not); stop "both" in Z and Y. */
function places(legRules: string): GtfsFarePolicy {
  return new GtfsFarePolicy(
    bundle({
      'fare_products.txt': csv(['fare_product_id', 'amount', 'currency'], ['pa', '10000', 'IRR'], ['pz', '15000', 'IRR'], ['pdef', '20000', 'IRR']),
      'networks.txt': csv(['network_id'], ['a'], ['b']),
      'route_networks.txt': csv(['network_id', 'route_id'], ['a', 'ra'], ['b', 'rb']),
      'areas.txt': csv(['area_id'], ['Z'], ['Y']),
      'stops.txt': csv(['stop_id'], ['sz'], ['sy'], ['both']),
      'stop_areas.txt': csv(['area_id', 'stop_id'], ['Z', 'sz'], ['Y', 'sy'], ['Z', 'both'], ['Y', 'both']),
      'fare_leg_rules.txt': legRules,
    }),
  );
}

function fare(fares: GtfsFarePolicy, route: string | null, stop: string | null): number | Reason {
  const q = fares.quote(card(), context({ route, stop }), 0);
  return q.result === 'accept' ? q.amount : q.reason;
}

describe('empty fields of fare_leg_rules.txt', () => {
  it('without rule_priority: "all ... excluding the ones listed", so a listed value never falls back to the empty rule', () => {
    const fares = places(csv(['leg_group_id', 'network_id', 'from_area_id', 'fare_product_id'], ['g', 'a', '', 'pa'], ['g', '', '', 'pdef'], ['g', '', 'Z', 'pz']));
    expect(fare(fares, 'ra', 'sy')).toBe(10_000);
    expect(fare(fares, 'rb', 'sz')).toBe(15_000);
    expect(fare(fares, 'rb', 'sy')).toBe(20_000);
    // No route, no stop, or a route and a stop the bundle does not know: only the empty fields match.
    expect(fare(fares, null, null)).toBe(20_000);
    expect(fare(fares, 'r-unknown', 's-unknown')).toBe(20_000);
    // Network a and area Z are both listed, each by a rule that leaves the other field empty: the reference's
    // text leaves this boarding without a rule. (This is what rule_priority was added for.)
    expect(fare(fares, 'ra', 'sz')).toBe(Reason.NoFare);
    // A stop in Z and Y counts as listed.
    expect(fare(fares, 'rb', 'both')).toBe(15_000);
  });

  it('with a rule_priority column, even all empty: an empty field does not affect the matching, the cheapest of equals wins', () => {
    const fares = places(
      csv(['leg_group_id', 'network_id', 'from_area_id', 'fare_product_id', 'rule_priority'], ['g', 'a', '', 'pa', ''], ['g', '', '', 'pdef', ''], ['g', '', 'Z', 'pz', '']),
    );
    expect(fare(fares, 'ra', 'sz')).toBe(10_000);
    expect(fare(fares, 'rb', 'sz')).toBe(15_000);
    expect(fare(fares, 'rb', 'sy')).toBe(20_000);
    expect(fare(fares, null, null)).toBe(20_000);
  });

  it('with rule_priority: "the rule or set of rules with the highest value" is selected, even when dearer', () => {
    const fares = places(
      csv(['leg_group_id', 'network_id', 'from_area_id', 'fare_product_id', 'rule_priority'], ['g', 'a', '', 'pa', '1'], ['g', '', '', 'pdef', '0'], ['g', '', 'Z', 'pz', '2']),
    );
    expect(fare(fares, 'ra', 'sz')).toBe(15_000);
    expect(fare(fares, 'ra', 'sy')).toBe(10_000);
    expect(fare(fares, 'rb', 'both')).toBe(15_000);
    expect(fare(fares, 'rb', 'sy')).toBe(20_000);
  });
});
