import rule from '../../../../compiler/lint/rules/file-not-analyzed.ts';
import { code, sourceRuleTester } from '../../../helpers/source-rule-tester.ts';

/** A file the lint cannot read through is an error at the parser's place, never a silent clean. */
sourceRuleTester(rule, {
  valid: [
    {
      name: 'a pipeline that parses',
      code: code`
        import { sinks, source } from 'idemflow';
        export default source.generator().groupBy('sensorId').count().sink(sinks.memory());
      `,
    },
    {
      name: 'CommonJS read as JavaScript',
      extension: 'js',
      code: code`
        const cassandra = require('cassandra-driver');
        module.exports = new cassandra.Client({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc1' });
      `,
    },
  ],
  invalid: [
    {
      name: 'a pipeline cut off mid-edit',
      code: code`
        import { source } from 'idemflow';

        // A pipeline cut off mid-edit: the lint must say so, not report a clean file.
        export default source.kafka({ topic: 'clicks' })
          .groupBy((e: { page: string }) => e.page
          .count();
      `,
      errors: [{ messageId: 'syntaxError', line: 6, column: 11 }],
    },
    {
      name: 'an unclosed template literal, in JavaScript',
      extension: 'js',
      code: code`
        const query = \`UPDATE hits SET n = n + 1 WHERE page = ?;
        module.exports = query;
      `,
      errors: [{ messageId: 'syntaxError', line: 3, column: 1 }],
    },
  ],
});
