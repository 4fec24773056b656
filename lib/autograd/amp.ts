/**
 * amp: mixed-precision training (docs/mixed-precision.md). amp.autocast('bfloat16', fn) runs the
 * matrix products of fn in bfloat16 with float32 accumulation; toBfloat16 and fromBfloat16 convert
 * arrays as PyTorch's tensor.to(torch.bfloat16) and .float() do.
 */
export { AUTOCAST_DTYPES, autocast, autocastDtype, isAutocastEnabled, type AutocastDType } from './autocast';
export { fromBfloat16, toBfloat16 } from '../backend/bfloat16';
