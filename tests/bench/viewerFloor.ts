// What the viewer's per-frame work costs at the least under the harness's WebGL (SwiftShader on build
// machines): a bare page in the same browser, with no React, no vtk.js and no DOM, does what one scroll step
// must do — draw one 512x512 slice sampled from a 512x512xD float 3D texture (what vtk.js uploads for Int16
// without EXT_texture_norm16) through a grey lookup into a canvas the viewport's size, copy it onto a 2D canvas
// (one WebGL context per window: each viewport shows a copy), and finish with a 1-pixel readPixels. The
// viewer's own rows are read against this floor.
import type { BrowserContext } from 'playwright-core';

export interface FloorResult {
  /** Median milliseconds per frame, drawn from the 3D texture (the 2D stack's path once the volume is loaded). */
  volumeMs: number;
  /** Median milliseconds per frame, the slice uploaded as a 2D texture and drawn (the path before the volume exists). */
  sliceMs: number;
}

/** Runs in a new page of `context`, so it shares the viewer's browser and GPU process, then closes it. */
export async function measureFloor(context: BrowserContext, width: number, height: number, imagePx: number, depth: number, frames = 60): Promise<FloorResult> {
  const page = await context.newPage();
  try {
    await page.setContent('<!doctype html><html><body style="margin:0"></body></html>');
    return await page.evaluate(({ width, height, imagePx, depth, frames }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const gl = canvas.getContext('webgl2', { antialias: false, depth: true, alpha: true, preserveDrawingBuffer: false })!;
      gl.getExtension('OES_texture_float_linear');
      const vs = '#version 300 es\nin vec2 p; out vec2 uv; uniform vec2 sc; void main() { uv = p * 0.5 + 0.5; gl_Position = vec4(p * sc, 0.0, 1.0); }';
      const fs2 = '#version 300 es\nprecision highp float; in vec2 uv; out vec4 o; uniform sampler2D t; uniform sampler2D lut;\nvoid main() { o = vec4(texture(lut, vec2(texture(t, uv).r, 0.5)).rgb, 1.0); }';
      const fs3 = '#version 300 es\nprecision highp float; precision highp sampler3D; in vec2 uv; out vec4 o; uniform sampler3D t; uniform sampler2D lut; uniform float z;\nvoid main() { o = vec4(texture(lut, vec2(texture(t, vec3(uv, z)).r, 0.5)).rgb, 1.0); }';
      const program = (fs: string): WebGLProgram => {
        const p = gl.createProgram()!;
        for (const [type, src] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]] as const) {
          const s = gl.createShader(type)!;
          gl.shaderSource(s, src);
          gl.compileShader(s);
          gl.attachShader(p, s);
        }
        gl.bindAttribLocation(p, 0, 'p');
        gl.linkProgram(p);
        return p;
      };
      gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
      gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
      gl.enableVertexAttribArray(0);
      gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
      const n = 512;
      const slice = new Float32Array(n * n);
      for (let i = 0; i < slice.length; i++) slice[i] = ((i * 7919) % 4096) / 4096;
      const texture = (unit: number, target: number) => {
        gl.activeTexture(gl.TEXTURE0 + unit);
        gl.bindTexture(target, gl.createTexture());
        gl.texParameteri(target, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
        gl.texParameteri(target, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
      };
      texture(0, gl.TEXTURE_2D);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32F, n, n, 0, gl.RED, gl.FLOAT, slice);
      texture(1, gl.TEXTURE_2D);
      const lut = new Uint8Array(1024 * 4).map((_, i) => (i % 4 === 3 ? 255 : i >> 4));
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 1024, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, lut);
      texture(2, gl.TEXTURE_3D);
      gl.texStorage3D(gl.TEXTURE_3D, 1, gl.R32F, n, n, depth);
      for (let k = 0; k < depth; k += 8) gl.texSubImage3D(gl.TEXTURE_3D, 0, 0, 0, k, n, n, 1, gl.RED, gl.FLOAT, slice);
      const p2 = program(fs2);
      const p3 = program(fs3);
      for (const [p, unit] of [[p2, 0], [p3, 2]] as const) {
        gl.useProgram(p);
        gl.uniform1i(gl.getUniformLocation(p, 't'), unit);
        gl.uniform1i(gl.getUniformLocation(p, 'lut'), 1);
        gl.uniform2f(gl.getUniformLocation(p, 'sc'), imagePx / width, imagePx / height);
      }
      const z = gl.getUniformLocation(p3, 'z');
      gl.viewport(0, 0, width, height);
      gl.clearColor(0, 0, 0, 1);
      const shown = document.createElement('canvas');
      shown.width = width;
      shown.height = height;
      document.body.appendChild(shown);
      const ctx = shown.getContext('2d')!;
      const px = new Uint8Array(4);
      const frame = (fromVolume: boolean, k: number) => {
        gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
        if (fromVolume) {
          gl.useProgram(p3);
          gl.uniform1f(z, ((k % depth) + 0.5) / depth);
        } else {
          gl.useProgram(p2);
          gl.activeTexture(gl.TEXTURE0);
          gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, n, n, gl.RED, gl.FLOAT, slice);
        }
        gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
        ctx.drawImage(canvas, 0, 0);
        gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
      };
      const median = (fromVolume: boolean): number => {
        for (let k = 0; k < 5; k++) frame(fromVolume, k);
        const times: number[] = [];
        for (let k = 0; k < frames; k++) {
          const t0 = performance.now();
          frame(fromVolume, k);
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        return times[Math.floor((times.length - 1) / 2)]!;
      };
      return { volumeMs: median(true), sliceMs: median(false) };
    }, { width, height, imagePx, depth, frames });
  } finally {
    await page.close();
  }
}
