import * as tf from '@tensorflow/tfjs';
import * as B from './src/index';
function rows(batch: number, d: number, seed: number) {
  return tf.tidy(() => {
    const lower = tf.tensor2d(Array.from({length: d * d}, (_, k) => (Math.floor(k / d) > k % d ? 1 : 0)), [d, d]);
    const off = tf.mul(tf.randomNormal([batch, d, d], 0, 0.3, 'float32', seed + 1), lower);
    const diag = tf.mul(tf.eye(d), tf.randomUniform([batch, d, 1], 0.5, 1.5, 'float32', seed + 2));
    return tf.concat([tf.randomNormal([batch, d], 0, 1, 'float32', seed), tf.reshape(tf.add(off, diag), [batch, d * d])], 1);
  });
}
(async () => {
  await tf.setBackend('cpu');
  for (const kind of ['kl','nll']) for (const [batch,d] of [[1024,16],[64,32]]) {
  const yp = rows(batch,d,1); const yt = kind==='kl'? rows(batch,d,7): tf.randomNormal([batch,d]);
  const f = kind==='kl'?B.gaussianKLLoss():B.gaussianNLLLoss(); const s = tf.valueAndGrad((p: tf.Tensor) => tf.mean(f(yt, p)));
  for (let i=0;i<20;i++) { const {value, grad} = s(yp); value.dispose(); grad.dispose(); }
  const prof = await tf.profile(() => { const {value, grad} = s(yp); return [value, grad]; });
  console.log(kind, batch, d, prof.kernels.map((k) => `${k.name}:${(k.kernelTimeMs as number).toFixed(2)}`).join(' '));
  }
})();
