import { defineSourceRule } from '../source-rule.ts';

type Message = 'syntaxError' | 'notLoaded' | 'internalError';

/**
 * A file the lint could not read through. Reported by the lint's driver
 * (lint.ts), file by file, so one broken or unexpected file is an error
 * for that file while every other file is still reported: the run never
 * ends in a silent "clean" nor in an empty report.
 */
export default defineSourceRule<Message>({
  meta: {
    code: 'IDEM015',
    name: 'file-not-analyzed',
    severity: 'error',
    description:
      'A file the lint could not analyse: it does not parse, it could not be loaded, or the analyser failed on it. Nothing in it was checked.',
    messages: {
      syntaxError: 'This file does not parse ({{message}}): nothing in it was checked.',
      notLoaded: 'This file could not be loaded into the TypeScript program ({{message}}): nothing in it was checked.',
      internalError:
        'The lint failed on this file ({{message}}), so it was not checked; the other files were. Please report this with the file.',
    },
    fixes: {
      syntaxError: 'Fix the syntax error; `npx tsc --noEmit` shows it too.',
      notLoaded: 'Check the path and that the file is TypeScript or JavaScript.',
      internalError:
        'Run again with --verbose for the stack trace, and file an issue with the smallest file that shows it.',
    },
  },
  check() {
    // Reported by the lint's per-file driver, which catches what no rule can see.
  },
});
