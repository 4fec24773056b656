export { Module } from './module';
export type { BufferEntry, ForwardHook, LoadResult } from './module';
export { Parameter } from './parameter';
export { Sequential } from './sequential';
export * as init from './init';
