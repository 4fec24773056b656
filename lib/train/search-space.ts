/** The distributions a search space is built from. */
export { choice, logUniform, uniform } from './search';
