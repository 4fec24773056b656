/** Preprocessing fitted on the training split and applied to the others. */
export { Center, Standardize } from './standardize';
export type { CenterState, StandardizeState } from './standardize';
export { PCA } from './pca';
export type { PCAOptions, PCAState } from './pca';
export { Whiten } from './whiten';
export type { WhitenMethod, WhitenOptions, WhitenState } from './whiten';
export { Preprocessor } from './common';
export type { LoadableState, StateArray } from './common';
export { symmetricEigen } from './eigen';
export type { SymmetricEigen } from './eigen';
