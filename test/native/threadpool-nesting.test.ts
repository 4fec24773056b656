// test/native/threadpool-nesting.cc: a parallel call made inside a task (a convolution's GEMMs
// inside its chunk loop) runs on that task's thread, once per index, and passes exceptions up.
import { itRunsCxxTest } from './cxx-test';

itRunsCxxTest('nested parallel calls run on the calling task\'s thread, each index once', 'test/native/threadpool-nesting.cc', []);
