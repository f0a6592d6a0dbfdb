import { notFollowedIn } from '../analysis/call-graph/not-followed.ts';
import { diskPrograms } from '../analysis/call-graph/program-source.ts';
import { defineRule } from '../rule.ts';

/**
 * The analysis follows helpers across modules, to a bound depth. Where it
 * cannot (an import it cannot resolve, a function without a body, a chain
 * deeper than the bound), it says so instead of calling the code clean.
 */
export default defineRule({
  meta: {
    code: 'IDEM017',
    name: 'call-not-followed',
    severity: 'note',
    description:
      'A helper inside a key, event time, event id or filter that the analysis could not follow: that part was not checked.',
    messages: {
      notFollowed: '{{what}} was not followed ({{why}}), so {{role}} was checked without it.',
    },
    fixes: {
      notFollowed:
        'Make the helper resolvable (a relative import of a TypeScript or JavaScript file in the project), or suppress this note with the reason it is deterministic.',
    },
  },
  check(pipeline, context) {
    for (const note of notFollowedIn(pipeline, context.programs ?? diskPrograms)) {
      context.report({
        messageId: 'notFollowed',
        node: { location: note.location },
        data: { what: note.what, why: note.why, role: note.role },
      });
    }
  },
});
