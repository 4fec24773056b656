// The layer rules of ARCHITECTURE.md, checked in CI (`npm run lint:deps`): each layer of lib/
// imports only from the layers below it, siblings on one row do not import each other, and no
// module takes part in a cycle — type-only imports included (tsPreCompilationDeps), since a
// cycle of types is still a tangle of responsibilities.
'use strict';

// Top to bottom; names on one row are siblings.
const LAYERS = [
  ['cli'],
  ['train'],
  ['distributed'],
  ['interop'],
  ['data'],
  ['nn', 'optim'],
  ['io'],
  ['autograd'],
  ['backend'],
];

const rank = new Map(LAYERS.flatMap((row, i) => row.map((name) => [name, i])));
const path = (names) => `^lib/(${names.join('|')})/`;

const layerRules = [...rank.keys()].map((name) => {
  const notBelow = [...rank.keys()].filter((other) => other !== name && rank.get(other) <= rank.get(name));
  return {
    name: `layer-${name}`,
    comment: `lib/${name} may import only from the layers below it (${LAYERS.slice(rank.get(name) + 1).flat().join(', ')})`,
    severity: 'error',
    from: { path: path([name]) },
    to: { path: path(notBelow) },
  };
}).filter((rule) => rule.to.path !== '^lib/()/');

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'No module may reach itself through its imports (type-only imports count).',
      severity: 'error',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    {
      name: 'lib-not-tests',
      comment: 'The library never imports test or bench code.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(test|bench|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'] },
  },
};
