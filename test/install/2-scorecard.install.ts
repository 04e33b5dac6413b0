// The flow-library scorecard: node-red-dev validate on the unpacked tarball, one test per check.
// A check this machine cannot verify (catalogue.nodered.org or the npm registry out of reach) is
// reported as pending with the reason; every other failure fails.
import assert from 'node:assert/strict';
import path from 'node:path';
import { CHECKS, noCard, unpack, validate, Validated, verdict } from '../../scripts/lib/scorecard';
import { indent } from '../../scripts/lib/proc';
import { run, verbose, wanted } from './setup';

if (wanted('scorecard'))
  describe('flow-library scorecard (node-red-dev validate)', function () {
    let result: Validated;

    before(async function () {
      this.timeout(6 * 60_000);
      const workDir = path.join(run.tempRoot, 'scorecard');
      result = await validate({ pkgDir: unpack(run.packed.file, path.join(workDir, 'package')), workDir });
      if (verbose) console.log(indent(result.output.trimEnd()));
    });

    it('node-red-dev validate -p <unpacked tarball> -o card.json writes a card', function () {
      assert.ok(result.card, noCard(result));
      this.test!.title += ` (node-red-dev ${result.version})`;
    });

    for (const [id, title] of Object.entries(CHECKS)) {
      it(`${id} ${title}`, function () {
        if (!result.card) this.skip();
        const { skipped, text } = verdict(id, result);
        if (skipped) {
          this.test!.title += ` — not verifiable here: ${skipped}`;
          this.skip();
        }
        if (text && text !== 'pass') this.test!.title += ` — ${text}`;
      });
    }

    it('checks in the card unknown to this test pass too', function () {
      if (!result.card) this.skip();
      const unknown = Object.keys(result.card).filter((k) => k !== 'package' && !(k in CHECKS));
      for (const id of unknown) verdict(id, result);
      if (unknown.length) this.test!.title += ` (unknown, passing: ${unknown.join(', ')})`;
    });
  });
