export { HsmTree } from './tree';
export type { TreeStructure } from './tree';
export { balancedTree } from './balanced';
export type { BalancedTreeOptions } from './balanced';
export { huffmanTree } from './huffman';
export { partitionTree, classFeatures } from './partition';
export type { PartitionOptions } from './partition';
