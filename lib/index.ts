/**
 * tensorgrad: neural-network training for Node.js. This release holds the kernel layer: the
 * Backend contract, its reference (TypeScript) and native (C++) implementations, and the
 * checked backend that runs both.
 */
export * from './backend';
