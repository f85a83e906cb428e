import type { Tuple } from './packed-image.ts';

/**
 * The distinct (reason, action, day added) combinations of a list being built. The list in force keeps its
 * indexes (0 … n−1), so its entries pass through a merge unchanged; new combinations are appended.
 */
export class TupleTable {
  readonly tuples: Tuple[];
  private readonly ids = new Map<string, number>();
  /** (group, day) → id, for the file's reason-and-action groups: a number key, one lookup per entry. */
  private readonly byGroupDay = new Map<number, number>();

  constructor(
    inherited: readonly Tuple[],
    /** The file's reason and action per group. */
    private readonly groups: readonly (readonly [reason: string, action: Tuple[1]] | undefined)[],
  ) {
    this.tuples = [...inherited];
    this.tuples.forEach((t, i) => this.ids.set(keyOf(t), i));
  }

  /** The id of a tuple, added when new (an overlay's tuples folded into a new base). */
  idOf(tuple: Tuple): number {
    let id = this.ids.get(keyOf(tuple));
    if (id === undefined) {
      id = this.tuples.length;
      this.tuples.push(tuple);
      this.ids.set(keyOf(tuple), id);
    }
    return id;
  }

  /** The id of a group's reason and action with a day added. */
  idFor(group: number, day: number): number {
    const key = group * 0x10_0000 + day;
    const known = this.byGroupDay.get(key);
    if (known !== undefined) return known;
    const pair = this.groups[group];
    if (pair === undefined) throw new RangeError(`no reason group ${group}`);
    const id = this.idOf([pair[0], pair[1], day]);
    this.byGroupDay.set(key, id);
    return id;
  }
}

const keyOf = (t: Tuple): string => `${t[2]}\n${t[1]}\n${t[0]}`;
