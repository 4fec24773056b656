export { compose, type BatchTransform, type TransformContext } from './transform';
export { randomCrop, type RandomCropOptions } from './random-crop';
export { randomHorizontalFlip } from './horizontal-flip';
export { randomErasing, type RandomErasingOptions } from './random-erasing';
