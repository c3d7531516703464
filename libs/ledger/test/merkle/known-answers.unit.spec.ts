import {
  consistencyProofProblem,
  EMPTY_TREE_HASH,
  inclusionProofProblem,
  leafHash,
  MemoryMerkleNodeStore,
  MerkleTree,
  nodeHash,
} from '../../src';

/**
 * Known answers published with the Certificate Transparency reference implementations
 * (transparency-dev/merkle: rfc6962/rfc6962_test.go and proof/verify_test.go, which carry
 * google/certificate-transparency's), and RFC 9162 §2.1.5's worked example. Only the values are
 * taken; their leaf indices there count from 1 and are written here from 0.
 */
const h = (hex: string) => Buffer.from(hex, 'hex');
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(h);
/** The roots of the trees of the first 1 to 8 of LEAVES. */
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  { leafIndex: 0, treeSize: 1, path: [] },
  {
    leafIndex: 0,
    treeSize: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leafIndex: 5,
    treeSize: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { leafIndex: 2, treeSize: 3, path: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    leafIndex: 1,
    treeSize: 5,
    path: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const CONSISTENCY = [
  { fromSize: 1, toSize: 1, path: [] },
  {
    fromSize: 1,
    toSize: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    fromSize: 6,
    toSize: 8,
    path: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    fromSize: 2,
    toSize: 5,
    path: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    fromSize: 6,
    toSize: 7,
    path: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

function treeOf(leaves: readonly Uint8Array[]): MerkleTree {
  const tree = new MerkleTree(new MemoryMerkleNodeStore());
  tree.addAll(leaves);
  return tree;
}

describe('the hashes (RFC 6962 §2.1, RFC 9162 §2.1.1)', () => {
  it('hash the empty tree, a leaf and a node as the reference implementations do', () => {
    expect(hex(EMPTY_TREE_HASH)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(leafHash(Buffer.alloc(0)))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(hex(leafHash(Buffer.from('L123456')))).toBe('395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
    expect(hex(nodeHash(Buffer.from('N123'), Buffer.from('N456')))).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });
});

describe('a tree of the reference leaves', () => {
  const tree = treeOf(LEAVES);

  it('has the published root at every size, as it grew and afterwards', () => {
    const growing = new MerkleTree(new MemoryMerkleNodeStore());
    expect(hex(growing.root())).toBe(hex(EMPTY_TREE_HASH));
    LEAVES.forEach((leaf, i) => {
      growing.add(leaf);
      expect(hex(growing.root())).toBe(ROOTS[i]);
      expect(hex(tree.root(i + 1))).toBe(ROOTS[i]);
    });
  });

  it.each(INCLUSION)('gives the published inclusion proof of leaf $leafIndex in the tree of $treeSize, which verifies', (vector) => {
    const proof = tree.inclusionProof(vector.leafIndex, vector.treeSize);
    expect(proof.path.map(hex)).toEqual(vector.path);
    const root = h(ROOTS[vector.treeSize - 1]!);
    expect(inclusionProofProblem(leafHash(LEAVES[vector.leafIndex]!), { ...vector, path: vector.path.map(h) }, root)).toBeNull();
  });

  it.each(CONSISTENCY)('gives the published consistency proof from $fromSize to $toSize leaves, which verifies', (vector) => {
    const proof = tree.consistencyProof(vector.fromSize, vector.toSize);
    expect(proof.path.map(hex)).toEqual(vector.path);
    const [from, to] = [h(ROOTS[vector.fromSize - 1]!), h(ROOTS[vector.toSize - 1]!)];
    expect(consistencyProofProblem({ ...vector, path: vector.path.map(h) }, from, to)).toBeNull();
  });
});

describe("RFC 9162 §2.1.5's tree of seven leaves d0…d6", () => {
  const d = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6'].map((text) => Buffer.from(text));
  const tree = treeOf(d);
  const [a, b, c, dd, e, f, j] = d.map(leafHash) as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
  const [g, hh, i] = [nodeHash(a, b), nodeHash(c, dd), nodeHash(e, f)];
  const [k, l] = [nodeHash(g, hh), nodeHash(i, j)];
  const names = new Map([a, b, c, dd, e, f, g, hh, i, j, k, l].map((node, n) => [hex(node), 'abcdefghijkl'[n]!]));
  const named = (path: readonly Uint8Array[]) => path.map((node) => names.get(hex(node)) ?? hex(node)).join('');

  it('has the root hash = H(k, l), and the earlier roots hash0 = H(g, c), hash1 = k, hash2 = H(k, i)', () => {
    expect(hex(tree.root())).toBe(hex(nodeHash(k, l)));
    expect(hex(tree.root(3))).toBe(hex(nodeHash(g, c)));
    expect(hex(tree.root(4))).toBe(hex(k));
    expect(hex(tree.root(6))).toBe(hex(nodeHash(k, i)));
  });

  it('proves d0 by [b, h, l], d3 by [c, g, l], d4 by [f, j, k] and d6 by [i, k]', () => {
    expect([0, 3, 4, 6].map((leaf) => named(tree.inclusionProof(leaf).path))).toEqual(['bhl', 'cgl', 'fjk', 'ik']);
  });

  it('proves hash0 consistent with hash by [c, d, g, l], hash1 by [l], hash2 by [i, j, k]', () => {
    expect([3, 4, 6].map((from) => named(tree.consistencyProof(from).path))).toEqual(['cdgl', 'l', 'ijk']);
  });
});
