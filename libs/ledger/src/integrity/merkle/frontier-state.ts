import { MerkleFrontier } from './frontier';

/** A tree's right edge as text: its size and its complete subtrees' hashes, largest first (hex). */
export interface FrontierState {
  readonly size: number;
  readonly hashes: readonly string[];
}

/** What a verified mark keeps of the tree (signed with the rest of it). */
export const frontierState = (frontier: MerkleFrontier): FrontierState => ({
  size: frontier.size,
  hashes: frontier.hashes.map((hash) => hash.toString('hex')),
});

/** The tree's right edge back from what a mark kept: the next verification carries the tree on from it. */
export function frontierFrom(state: FrontierState | undefined): MerkleFrontier {
  if (!state) return MerkleFrontier.empty();
  // one hash per bit set in the size, largest subtree first: the level of each is its bit's place
  const levels: number[] = [];
  for (let level = 52; level >= 0; level--) if (Math.floor(state.size / 2 ** level) % 2 === 1) levels.push(level);
  if (levels.length !== state.hashes.length)
    throw new Error(`a tree of ${state.size} leaves has ${levels.length} complete subtrees, not ${state.hashes.length}`);
  const byLevel = new Map(levels.map((level, i) => [level, Buffer.from(state.hashes[i]!, 'hex')]));
  return MerkleFrontier.of(state.size, (level) => byLevel.get(level)!);
}
