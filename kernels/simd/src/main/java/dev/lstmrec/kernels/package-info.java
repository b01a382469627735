/** Fast backends for the lstmrec SPI: {@code simd} (Vector API) and {@code cuda} (JCuda + PTX). */
package dev.lstmrec.kernels;
