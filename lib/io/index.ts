export { save, load, serialize, deserialize, MAX_HEADER_SIZE } from './safetensors';
export type { LoadOptions, ReadDType, SafetensorsContent, SaveOptions, WriteDType } from './safetensors';
export { saveNpy, serializeNpy } from './npy-writer';
export { writeFileAtomic } from './atomic';
export { float16ToFloat32, float32ToFloat16, bfloat16ToFloat32, float32ToBfloat16 } from './half';
