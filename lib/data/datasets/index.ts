export { digits, DIGITS_FILE } from './digits';
export type { LabelledData } from './digits';
export { fashionMnist, FASHION_MNIST_CLASSES, FASHION_MNIST_DIR } from './fashion-mnist';
