use half::f16;

use super::*;

/// The straightforward triple loop, in f64, with `B` given as `n` rows of
/// `k` (its transpose), to check every path against.
fn reference(x: &[f32], rows: usize, k: usize, bt: &[f32], n: usize, y0: &[f32]) -> Vec<f32> {
    let mut y = y0.to_vec();
    for m in 0..rows {
        for j in 0..n {
            let s: f64 = (0..k)
                .map(|p| x[m * k + p] as f64 * bt[j * k + p] as f64)
                .sum();
            y[m * n + j] = (s + y0[m * n + j] as f64) as f32;
        }
    }
    y
}

/// Token rows `x` (rows x k), a weight matrix `bt` (n rows of k) and the
/// starting `y` (rows x n), non-zero because the product adds to it (the
/// bias); small values of mixed sign, so every path's sums are comparable.
fn operands(rows: usize, k: usize, n: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let x = (0..rows * k)
        .map(|i| ((i * 7 % 13) as f32 - 6.0) / 5.0)
        .collect();
    let bt = (0..n * k)
        .map(|i| ((i * 5 % 11) as f32 - 5.0) / 7.0)
        .collect();
    let y0 = (0..rows * n).map(|i| (i % 5) as f32 / 3.0).collect();
    (x, bt, y0)
}

fn close(got: &[f32], want: &[f32], what: &str) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() < 1e-3 * (1.0 + w.abs()),
            "{what}: element {i}: {g} vs {w}"
        );
    }
}

#[test]
fn every_path_matches_the_plain_loop_for_odd_shapes() {
    // Odd sizes exercise every remainder: rows not a multiple of any tile's
    // height, outputs not a multiple of the panel width, the inner dimension
    // longer than a block and not a multiple of it.
    let shapes = [
        (1, 8, 4),
        (3, 13, 7),
        (67, 40, 9),
        (130, 384, 6),
        (2, 5, 33),
        (13, 600, 70),
        (25, 32, 64),
    ];
    for path in Path::available() {
        for &(rows, k, n) in &shapes {
            let (x, bt, y0) = operands(rows, k, n);
            let want = reference(&x, rows, k, &bt, n, &y0);
            let what = format!("{path:?} {rows}x{k}x{n}");

            let mut y = y0.clone();
            matmul_on(
                path,
                &x,
                k,
                rows,
                &Packed::from_rows(&bt, k, k, n),
                &mut y,
                n,
            );
            close(&y, &want, &what);

            // The same matrix packed from its own layout (k rows of n).
            let b: Vec<f32> = (0..k * n).map(|i| bt[(i % n) * k + i / n]).collect();
            let mut packed = Packed::default();
            packed.fill_from_cols(&b, n, k, n);
            let mut y = y0.clone();
            matmul_on(path, &x, k, rows, &packed, &mut y, n);
            close(&y, &want, &format!("{what} from columns"));

            // Half precision (these values are exact in f16) gives the same.
            let half: Vec<f16> = bt.iter().map(|&v| f16::from_f32(v)).collect();
            let mut y = y0.clone();
            matmul_on(
                path,
                &x,
                k,
                rows,
                &Packed::from_rows(&half, k, k, n),
                &mut y,
                n,
            );
            close(&y, &want, &format!("{what} f16"));
        }
    }
}

#[test]
fn a_packed_matrix_reused_for_a_smaller_one_takes_its_shape_and_values() {
    let mut packed = Packed::default();
    packed.fill_from_rows(&[5.0f32; 40 * 3], 3, 3, 40);
    // The attention repacks each head into the same memory: two outputs
    // from rows 4 apart must give this matrix's products, not the last one's.
    let src = [1.0f32, 2.0, 0.0, 0.0, 3.0, 4.0];
    packed.fill_from_rows(&src, 4, 2, 2);
    assert_eq!((packed.k, packed.n), (2, 2));
    for path in Path::available() {
        let mut y = vec![0.0; 2];
        matmul_on(path, &[1.0, 1.0], 2, 1, &packed, &mut y, 2);
        assert_eq!(y, [3.0, 7.0], "{path:?}");
    }
}

#[test]
fn strided_rows_are_read_and_written_in_place_and_the_columns_between_left_alone() {
    // The attention reads and writes one head's columns of wider rows.
    let (rows, k, n, lda, ldy) = (14, 40, 20, 45, 33);
    let x: Vec<f32> = (0..rows * lda)
        .map(|i| ((i * 7 % 13) as f32 - 6.0) / 5.0)
        .collect();
    let bt: Vec<f32> = (0..n * k)
        .map(|i| ((i * 5 % 11) as f32 - 5.0) / 7.0)
        .collect();
    let dense: Vec<f32> = (0..rows * k).map(|i| x[i / k * lda + i % k]).collect();
    let want = reference(&dense, rows, k, &bt, n, &vec![0.0; rows * n]);
    let packed = Packed::from_rows(&bt, k, k, n);
    // The columns between hold -0.0: a tile that wrote its whole panel
    // there would leave -0.0 + x * 0 = +0.0 (the padding of the panel is
    // zero), which the bits show.
    let between = (-0.0f32).to_bits();
    for path in Path::available() {
        let mut y = vec![-0.0f32; rows * ldy];
        for row in y.chunks_mut(ldy) {
            row[..n].fill(0.0);
        }
        matmul_on(path, &x, lda, rows, &packed, &mut y, ldy);
        for (m, row) in y.chunks(ldy).enumerate() {
            close(&row[..n], &want[m * n..][..n], &format!("{path:?} row {m}"));
            assert!(
                row[n..].iter().all(|v| v.to_bits() == between),
                "{path:?} row {m}: {:?}",
                &row[n..]
            );
        }
    }
}

#[test]
fn a_row_gets_the_same_bits_alone_as_among_many() {
    // Saved vectors must not depend on how many texts share a product:
    // many rows take the half-precision weights widened ahead of the tiles,
    // a single row widens them as it reads them.
    let (rows, k, n) = (30, 300, 70);
    let x: Vec<f32> = (0..rows * k).map(|i| (i as f32 * 0.37).sin()).collect();
    let half: Vec<f16> = (0..n * k)
        .map(|i| f16::from_f32((i as f32 * 0.11).cos()))
        .collect();
    let packed = Packed::from_rows(&half, k, k, n);
    for path in Path::available() {
        let mut all = vec![0.5f32; rows * n];
        matmul_on(path, &x, k, rows, &packed, &mut all, n);
        for m in 0..rows {
            let mut one = vec![0.5f32; n];
            matmul_on(path, &x[m * k..][..k], k, 1, &packed, &mut one, n);
            let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&one), bits(&all[m * n..][..n]), "{path:?} row {m}");
        }
    }
}

/// The AMX tiles against the plain loop: both factors are rounded to bf16
/// (a relative error of at most 2^-9 each), so each sum may be off by
/// 2^-8 of the sum of its products' magnitudes, and no more.
#[cfg(target_arch = "x86_64")]
#[test]
fn bf16_tiles_match_the_plain_loop_within_their_rounding() {
    if !Precision::Bf16.available() {
        eprintln!("skipped: this CPU or OS offers no AMX tiles");
        return;
    }
    let shapes = [
        (1, 8, 4),
        (3, 13, 7),
        (17, 40, 9),
        (33, 64, 33),
        (130, 384, 6),
        (2, 5, 70),
        (13, 600, 70),
        (48, 32, 64),
    ];
    for &(rows, k, n) in &shapes {
        let (x, bt, y0) = operands(rows, k, n);
        let want = reference(&x, rows, k, &bt, n, &y0);
        let xabs: Vec<f32> = x.iter().map(|v| v.abs()).collect();
        let babs: Vec<f32> = bt.iter().map(|v| v.abs()).collect();
        let size = reference(&xabs, rows, k, &babs, n, &vec![0.0; rows * n]);
        let within = |got: &[f32], what: &str| {
            for (i, ((g, w), s)) in got.iter().zip(&want).zip(&size).enumerate() {
                assert!(
                    (g - w).abs() <= s / 256.0 + 1e-5,
                    "{what} {rows}x{k}x{n}: element {i}: {g} vs {w}"
                );
            }
        };
        let b = Matrix::from_rows(Precision::Bf16, &bt, k, k, n);
        assert!(matches!(b, Matrix::Tiles(_)));
        let mut y = y0.clone();
        matmul(&x, rows, &b, &mut y);
        within(&y, "from rows");

        let cols: Vec<f32> = (0..k * n).map(|i| bt[(i % n) * k + i / n]).collect();
        let mut b = Matrix::new(Precision::Bf16);
        b.fill_from_cols(&cols, n, k, n);
        let mut y = y0.clone();
        matmul(&x, rows, &b, &mut y);
        within(&y, "from columns");
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn bf16_tiles_write_in_place_and_give_a_row_the_same_bits_alone() {
    if !Precision::Bf16.available() {
        eprintln!("skipped: this CPU or OS offers no AMX tiles");
        return;
    }
    let (rows, k, n, lda, ldy) = (37, 300, 70, 310, 75);
    let x: Vec<f32> = (0..rows * lda).map(|i| (i as f32 * 0.37).sin()).collect();
    let half: Vec<f16> = (0..n * k)
        .map(|i| f16::from_f32((i as f32 * 0.11).cos()))
        .collect();
    let b = Matrix::from_rows(Precision::Bf16, &half, k, k, n);
    let between = (-0.0f32).to_bits();
    let mut all = vec![-0.0f32; rows * ldy];
    for row in all.chunks_mut(ldy) {
        row[..n].fill(0.5);
    }
    matmul_strided(&x, lda, rows, &b, &mut all, ldy);
    let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
    for m in 0..rows {
        let row = &all[m * ldy..][..ldy];
        assert!(row[n..].iter().all(|v| v.to_bits() == between), "row {m}");
        let mut one = vec![0.5f32; n];
        matmul(&x[m * lda..][..k], 1, &b, &mut one);
        assert_eq!(bits(&one), bits(&row[..n]), "row {m}");
    }
}
