/**
 * The data layer: interaction files in the common public formats ({@link dev.lstmrec.engine.data.DataReader},
 * {@link dev.lstmrec.engine.data.Format}, {@link dev.lstmrec.engine.data.ReadOptions}) read into an immutable
 * {@link dev.lstmrec.engine.data.Dataset} of per-user item sequences (items 1..N, 0 = padding); the leave-one-out
 * protocol ({@link dev.lstmrec.engine.data.LeaveOneOut}, {@link dev.lstmrec.engine.data.Split}); generated data with
 * real sequential structure ({@link dev.lstmrec.engine.data.SyntheticData}); and MovieLens titles
 * ({@link dev.lstmrec.engine.data.ItemTitles}). JDK only.
 */
package dev.lstmrec.engine.data;
