/** The `tensorgrad` command: train and evaluate, parsed with commander. */
// The whole library, so the Tensor methods (loss.backward(), …) are installed as for any user.
import '../index';
import { Command, Option } from 'commander';
import * as distributed from '../distributed';
import { ACTIVATION_NAMES } from '../train/model-spec';
import { OPTIMIZER_NAMES } from '../train/optimizer-factory';
import type { RunConfig } from '../train/run-config';
import { SCHEDULE_HELP, SCHEDULE_NAMES, SCHEDULE_SETTINGS } from '../train/schedule-config';
import { resumeTraining, runTraining } from '../train/run-training';
import { readConfigFile, resolveConfig } from './config';
import { runEvaluate } from './evaluate-command';
import { runCheck } from './check-command';
import { runLrFind } from './lr-find-command';
import { parseRange, runSearch } from './search-command';
import { addLanguageModelCommands } from './language-model-commands';
import { epochList, integer, number } from './option-parsers';
import { DATA_FLAG_KEYS, withDataFlags } from './data-flags';
import { parseAugmentList } from '../train/augment';
import { addExportCommand } from './export-command';


/** The flags given on the command line, as config keys (undefined when absent, so the file and defaults apply). */
function flagsOf(options: Record<string, unknown>): Partial<RunConfig> {
  const keys: (keyof RunConfig)[] = [
    'data', 'model', 'activation', 'batchNorm', 'dropout', 'optimizer', 'lr', 'momentum', 'weightDecay', 'schedule',
    'batchSize', 'epochs', 'patience', 'seed', 'threads', 'precision', 'backend', 'out', 'tensorboard', 'distributed', 'augment', ...DATA_FLAG_KEYS, ...SCHEDULE_SETTINGS.map((s) => s.key),
  ];
  const flags: Record<string, unknown> = {};
  for (const key of keys) if (options[key] !== undefined) flags[key] = options[key];
  return flags as Partial<RunConfig>;
}

/** The flags that describe a training job, shared by train, lr-find and search. */
function withTrainFlags(command: Command): Command {
  withDataFlags(command
    .option('--config <file>', 'a JSON file of settings (flags override it)')
    .option('--data <name>', 'digits (shipped), fashion-mnist (Debian dataset-fashion-mnist), a directory of MNIST-layout IDX files or of CIFAR-10 binary batches, a CSV file (with --target) or an NPY file (with --labels)'))
    .option('--model <spec>', 'layer widths, e.g. 784-256-128-10, or hidden widths only, e.g. 256-128; for images a conv spec, e.g. c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10, or a JSON model file (see below)')
    .option('--augment <list>', 'augment training images: crop (pad H/8, random crop), crop<p> (pad p), flip (horizontal), erase (random erasing), comma-separated', parseAugmentList)
    .addOption(new Option('--activation <name>', 'hidden activation').choices([...ACTIVATION_NAMES]))
    .option('--batch-norm', 'BatchNorm1d after each hidden layer')
    .option('--dropout <p>', 'dropout probability after each hidden layer', number)
    .addOption(new Option('--optimizer <name>', 'update rule').choices([...OPTIMIZER_NAMES]))
    .option('--lr <rate>', 'learning rate', number)
    .option('--momentum <beta>', 'momentum for momentum/nesterov', number)
    .option('--weight-decay <lambda>', 'L2 weight decay', number)
    .addOption(new Option('--schedule <name>', `learning-rate schedule, set per epoch (default cosine). ${SCHEDULE_NAMES.map((n) => `${n}: ${SCHEDULE_HELP[n]}`).join('; ')}`).choices([...SCHEDULE_NAMES]))
    .option('--batch-size <n>', 'mini-batch size', integer)
    .option('--epochs <n>', 'epochs to train', integer)
    .option('--patience <n>', 'early stopping after n epochs without a better validation loss (0: off)', integer)
    .option('--seed <n>', 'seed of the weights, shuffles and dropout masks', integer)
    .option('--threads <n>', 'GEMM threads (default: one per core)', integer)
    .addOption(new Option('--precision <p>', 'fp32, or bf16: matrix products in bfloat16 with float32 accumulation, weights, gradients and losses float32 (docs/mixed-precision.md)').choices(['fp32', 'bf16']))
    .addOption(new Option('--backend <name>', 'kernel backend').choices(['native', 'reference', 'checked']))
    .option('--out <dir>', 'output directory');
  // The schedules' own settings, from the one table (lib/train/schedule-config.ts).
  for (const s of SCHEDULE_SETTINGS) {
    if (s.kind === 'epochs') command.option(s.flag, s.help, epochList);
    else command.option(s.flag, s.help, s.kind === 'count' || s.kind === 'positiveCount' ? integer : number);
  }
  return command;
}

function configOf(options: Record<string, unknown>, overrides: Partial<RunConfig> = {}): RunConfig {
  const file = typeof options['config'] === 'string' ? readConfigFile(options['config']) : {};
  return resolveConfig({ ...overrides, ...file }, flagsOf(options));
}

const TRAIN_EXAMPLES = `
Data:
  tensorgrad train                                             the shipped 8x8 digits
  tensorgrad train --data fashion-mnist                        Debian's dataset-fashion-mnist
  tensorgrad train --data houses.csv --target price --task regression --impute mean
  tensorgrad train --data survey.csv --target answer --categorical zip --drop id
  tensorgrad train --data x.npy --labels y.npy --validation-split 0.15 --test-split 0.15 --split-seed 7
CSV files have a header row; numeric columns are used as they are, text columns one-hot (the
vocabulary is saved in preprocess.json), a classifier's target may be strings or integers (the
class mapping is saved too). Tables are standardized on the training rows (--no-standardize: not);
evaluate applies the saved encoding and statistics.

Convolutional models (images: digits, fashion-mnist, IDX and CIFAR-10 directories):
  tensorgrad train --data fashion-mnist --model c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10 --augment crop,flip
  tensorgrad train --data ~/cifar-10-batches-bin --model c32k3-bn-relu-c32k3-bn-relu-p2-drop0.25-c64k3-bn-relu-p2-f-256-10
  tensorgrad train --data fashion-mnist --model model.json     {"layers": [{"type": "conv2d", "outChannels": 32, "kernelSize": 3}, …]}
Tokens, separated by '-':
  c<n>k<k>   Conv2d to n channels, k×k kernel; then any of s<stride>, p<padding>, d<dilation>,
             g<groups>, dw (depthwise), same, valid (default: 'same' at stride 1, else ⌊k/2⌋)
  bn         BatchNorm2d (BatchNorm1d after f)        relu lrelu tanh sigmoid elu gelu
  p<k>[s<s>] MaxPool2d k×k (stride k)                 a<k>[s<s>]  AvgPool2d
  gap        global average pooling                   drop<p>     Dropout2d (Dropout after f)
  f          Flatten                                  <n>         Linear to n features
The last token is the Linear layer to the classes; a relu right after a convolution is fused into it.`;

export function program(): Command {
  const cli = new Command('tensorgrad').description('Train and evaluate neural networks in Node.js').showHelpAfterError();
  withTrainFlags(cli.command('train'))
    .description('Train an MLP or a convolutional network (classifier or regressor) and write a run directory (config.json, metrics.jsonl, layers.jsonl, train.log, report.html, models, preprocess.json for tables, checkpoints)')
    .option('--tensorboard [dir]', 'write TensorBoard event files (scalars, histograms, the config) to dir (default: <run directory>/tensorboard)')
    .option('--resume <dir>', 'continue a run from its latest checkpoint')
    .option('--distributed', 'train one model on every rank mpirun or srun started (batch size per rank; rank 0 writes the run directory)')
    .addHelpText('after', TRAIN_EXAMPLES)
    .action(async (options: Record<string, unknown>) => {
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        if (typeof options['resume'] === 'string') {
          const { epochs, tensorboard, ...others } = flagsOf(options);
          if (Object.keys(others).length > 0 || options['config'] !== undefined) {
            throw new Error(`--resume continues a run with its own config; only --epochs and --tensorboard may be given with it (received --${Object.keys(others).join(', --') || 'config'})`);
          }
          await resumeTraining(options['resume'], { signal: controller.signal, ...(epochs !== undefined ? { epochs } : {}), ...(tensorboard !== undefined ? { tensorboard } : {}) });
        } else {
          await runTraining(configOf(options), { signal: controller.signal });
        }
        // Interrupted runs end as shells expect of SIGINT (128 + 2), having saved what resumes them.
        if (controller.signal.aborted) process.exitCode = 130;
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
  cli
    .command('evaluate')
    .description('Score a trained model on a data split')
    .requiredOption('--model <path>', 'a model file written by train, or a run directory (its best model)')
    .option('--data <name>', 'data to score on (default: what the model was trained on); a table is encoded and standardized as in training')
    .option('--labels <file>', 'the targets of NPY --data')
    .addOption(new Option('--split <name>', 'which split (all: every row; the default for a table file other than the training one)').choices(['test', 'validation', 'train', 'all']))
    .action(async (options: { model: string; data?: string; labels?: string; split?: 'test' | 'validation' | 'train' | 'all' }) => {
      await runEvaluate(options);
    });
  withTrainFlags(cli.command('check'))
    .description("Run the notes' sanity checks on the untrained model (exit code 1 when one fails)")
    .action((options: Record<string, unknown>) => {
      const results = runCheck(configOf(options));
      if (results.some((r) => !r.passed)) process.exitCode = 1;
    });
  withTrainFlags(cli.command('lr-find'))
    .description('Sweep the learning rate exponentially and suggest one (writes lr-find.json with --out)')
    .option('--start-lr <rate>', 'first learning rate', number, 1e-7)
    .option('--end-lr <rate>', 'last learning rate', number, 10)
    .option('--steps <n>', 'steps of the sweep', integer, 200)
    .action((options: Record<string, unknown>) => {
      runLrFind(configOf(options), { startLr: options['startLr'] as number, endLr: options['endLr'] as number, steps: options['steps'] as number });
    });
  withTrainFlags(cli.command('search'))
    .description('Random search of lr, weight decay and dropout, coarse to fine (writes search.jsonl)')
    .option('--trials <n>', 'trials per round', integer, 10)
    .option('--rounds <n>', 'rounds, each narrowed around the best trials of the last', integer, 2)
    .option('--workers <n>', 'worker threads (0: trials in this thread)', integer, 0)
    .option('--lr-range <low,high>', 'learning rates, log-uniform', '1e-4,1e-1')
    .option('--weight-decay-range <low,high>', 'weight decay, log-uniform', '1e-7,1e-2')
    .option('--dropout-range <low,high>', 'dropout, uniform', '0,0.5')
    .action(async (options: Record<string, unknown>) => {
      // Trials are short runs: 5 epochs unless told otherwise.
      const base = configOf(options, { epochs: 5 });
      await runSearch(base, {
        trials: options['trials'] as number, rounds: options['rounds'] as number, workers: options['workers'] as number,
        lr: parseRange('--lr-range', options['lrRange'] as string, true),
        weightDecay: parseRange('--weight-decay-range', options['weightDecayRange'] as string, true),
        dropout: parseRange('--dropout-range', options['dropoutRange'] as string, false),
      });
    });
  addLanguageModelCommands(cli);
  addExportCommand(cli);
  return cli;
}

/** Runs the command; errors print one line and set exit code 1 instead of a stack trace. */
export async function main(argv: string[]): Promise<void> {
  // Output piped into `head` and closed early: the job goes on (its log and run directory are
  // written all the same), it just stops printing.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.stdout.write = () => true;
  });
  try {
    await program().parseAsync(argv);
  } catch (error) {
    process.stderr.write(`tensorgrad: ${(error as Error).message}\n`);
    process.exitCode = 1;
    // A rank of a distributed job ends the whole job, telling the others why.
    if (distributed.isInitialized()) distributed.abort(error);
  }
}
