/**
 * Sets tfjs's environment once, before anything else uses it: `PROD` mode, which skips tfjs's
 * debug checks and silences its console banner ("Hi, looks like you are running TensorFlow.js in
 * Node.js…") in `npm start`, scripts and every player's log. Imported first by the public barrel
 * and by the `tfe` command.
 * @example
 * ```ts
 * import './tfjs_env.js'; // first import of an entry point
 * ```
 */
import * as tf from '@tensorflow/tfjs';

tf.env().set('PROD', true);
