/** The `tensorgrad` command: train and evaluate, parsed with commander. */
// The whole library, so the Tensor methods (loss.backward(), …) are installed as for any user.
import '../index';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type TrainConfig, readConfigFile, resolveConfig } from './config';
import { runEvaluate } from './evaluate-command';
import { ACTIVATION_NAMES } from './model-spec';
import { OPTIMIZER_NAMES } from './optimizer-factory';
import { resumeTrain, runTrain } from './train-command';

function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`Expected a number but received "${value}"`);
  return n;
}

function integer(value: string): number {
  const n = number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`Expected an integer but received "${value}"`);
  return n;
}

/** The flags given on the command line, as config keys (undefined when absent, so the file and defaults apply). */
function flagsOf(options: Record<string, unknown>): Partial<TrainConfig> {
  const keys: (keyof TrainConfig)[] = [
    'data', 'model', 'activation', 'batchNorm', 'dropout', 'optimizer', 'lr', 'momentum', 'weightDecay', 'schedule',
    'batchSize', 'epochs', 'patience', 'seed', 'threads', 'backend', 'out',
  ];
  const flags: Record<string, unknown> = {};
  for (const key of keys) if (options[key] !== undefined) flags[key] = options[key];
  return flags as Partial<TrainConfig>;
}

export function program(): Command {
  const cli = new Command('tensorgrad').description('Train and evaluate neural networks in Node.js').showHelpAfterError();
  cli
    .command('train')
    .description('Train an MLP classifier and write a run directory (config.json, metrics.jsonl, train.log, models, checkpoints)')
    .option('--config <file>', 'a JSON file of settings (flags override it)')
    .option('--data <name>', 'digits (shipped), fashion-mnist (Debian dataset-fashion-mnist) or a directory of MNIST-layout IDX files')
    .option('--model <sizes>', 'layer widths, e.g. 784-256-128-10, or hidden widths only, e.g. 256-128')
    .addOption(new Option('--activation <name>', 'hidden activation').choices([...ACTIVATION_NAMES]))
    .option('--batch-norm', 'BatchNorm1d after each hidden layer')
    .option('--dropout <p>', 'dropout probability after each hidden layer', number)
    .addOption(new Option('--optimizer <name>', 'update rule').choices([...OPTIMIZER_NAMES]))
    .option('--lr <rate>', 'learning rate', number)
    .option('--momentum <beta>', 'momentum for momentum/nesterov', number)
    .option('--weight-decay <lambda>', 'L2 weight decay', number)
    .addOption(new Option('--schedule <name>', 'learning-rate schedule').choices(['none', 'cosine', 'step']))
    .option('--batch-size <n>', 'mini-batch size', integer)
    .option('--epochs <n>', 'epochs to train', integer)
    .option('--patience <n>', 'early stopping after n epochs without a better validation loss (0: off)', integer)
    .option('--seed <n>', 'seed of the weights, shuffles and dropout masks', integer)
    .option('--threads <n>', 'GEMM threads (default: one per core)', integer)
    .addOption(new Option('--backend <name>', 'kernel backend').choices(['native', 'reference', 'checked']))
    .option('--out <dir>', 'run directory (default runs/<data>-<time>)')
    .option('--resume <dir>', 'continue a run from its latest checkpoint')
    .action(async (options: Record<string, unknown>) => {
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        if (typeof options['resume'] === 'string') {
          const { epochs, ...others } = flagsOf(options);
          if (Object.keys(others).length > 0 || options['config'] !== undefined) {
            throw new Error(`--resume continues a run with its own config; only --epochs may be given with it (received --${Object.keys(others).join(', --') || 'config'})`);
          }
          await resumeTrain(options['resume'], { signal: controller.signal, ...(epochs !== undefined ? { epochs } : {}) });
        } else {
          const file = typeof options['config'] === 'string' ? readConfigFile(options['config']) : {};
          await runTrain(resolveConfig(file, flagsOf(options)), { signal: controller.signal });
        }
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
  cli
    .command('evaluate')
    .description('Score a trained model on a data split')
    .requiredOption('--model <path>', 'a model file written by train, or a run directory (its best model)')
    .option('--data <name>', 'data to score on (default: what the model was trained on)')
    .addOption(new Option('--split <name>', 'which split').choices(['test', 'validation', 'train']).default('test'))
    .action(async (options: { model: string; data?: string; split: 'test' | 'validation' | 'train' }) => {
      await runEvaluate(options);
    });
  return cli;
}

/** Runs the command; errors print one line and set exit code 1 instead of a stack trace. */
export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (error) {
    process.stderr.write(`tensorgrad: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
