import { defineSourceRule } from '../source-rule.ts';

type Message = 'missingReason' | 'unknownCode' | 'unused';

/**
 * Checks `// idemflow-disable-next-line IDEM00x -- reason` comments. The
 * findings come from the lint's suppression pass (suppressions.ts), which is
 * where comments are matched to findings; this module gives them their code,
 * messages and docs like any rule.
 */
export default defineSourceRule<Message>({
  meta: {
    code: 'IDEM013',
    name: 'suppression-without-reason',
    severity: 'error',
    description: 'A suppression comment with no reason, an unknown code, or nothing to suppress.',
    messages: {
      missingReason: 'This suppression of {{codes}} gives no reason: write `-- why this is safe` after the codes.',
      unknownCode: 'This suppression names {{codes}}, which is not an idemflow diagnostic code.',
      unused: 'This suppression of {{codes}} suppresses nothing on the next line: remove it.',
    },
    fixes: {
      missingReason:
        'e.g. `// idemflow-disable-next-line IDEM002 -- dashboard tolerates undercounts; nightly batch corrects`.',
      unknownCode: 'Use the codes listed in docs/diagnostics (IDEM001 …).',
      unused: 'Delete the comment, or move it right above the line with the finding.',
    },
  },
  check() {
    // Reported by the suppression pass, which sees every other rule's findings first.
  },
});
