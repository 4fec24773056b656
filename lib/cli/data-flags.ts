/** The flags of a run's data settings (lib/train/data-config.ts): tables from CSV and NPY files. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { IMPUTE_NAMES, TASK_NAMES, type DataConfig } from '../train/data-config';
import { integer, number } from './option-parsers';

/** The config keys these flags set. */
export const DATA_FLAG_KEYS: readonly (keyof DataConfig)[] = [
  'labels', 'target', 'task', 'impute', 'standardize', 'categorical', 'drop', 'maxCategories', 'validationSplit', 'testSplit', 'splitSeed',
];

/**
 * "a,b , c" → ["a", "b", "c"], added to the names of earlier uses of the flag; "\," is a comma
 * inside a name ("note\, free").
 */
function columnList(value: string, previous: string[] = []): string[] {
  const names = value.split(/(?<!\\),/).map((n) => n.replace(/\\,/g, ',').trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError(`Expected comma-separated column names but received "${value}"`);
  return [...previous, ...names];
}

export function withDataFlags(command: Command): Command {
  return command
    .option('--target <column>', 'CSV data: the column to predict (its other columns are the inputs)')
    .option('--labels <file>', 'NPY data: the targets, one row per row of --data (e.g. --data x.npy --labels y.npy)')
    .addOption(new Option('--task <name>', 'classification (cross-entropy; accuracy) or regression (MSE; MAE, RMSE, R²)').choices([...TASK_NAMES]))
    .addOption(new Option('--impute <how>', 'missing values: none (an error naming the row and column) or mean (the training rows\' mean)').choices([...IMPUTE_NAMES]))
    .option('--standardize', 'standardize a table\'s features (and a regressor\'s targets) on the training rows (default for CSV and NPY)')
    .option('--no-standardize', 'leave a table\'s numbers as they are')
    .option('--categorical <columns>', 'CSV columns to one-hot although they hold numbers (comma-separated, \\, for a comma in a name; repeatable)', columnList)
    .option('--drop <columns>', 'CSV columns to leave out (as --categorical)', columnList)
    .option('--max-categories <n>', 'the most distinct values a CSV column may one-hot into (default 1000)', integer)
    .option('--validation-split <fraction>', 'share of the rows held out for validation (digits, CSV, NPY; default 0.1)', number)
    .option('--test-split <fraction>', 'share of the rows held out for testing (digits, CSV, NPY; default 0.2)', number)
    .option('--split-seed <n>', 'seed of the shuffle that splits the rows', integer);
}
