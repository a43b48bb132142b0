import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Everything (Monaco and its workers included) is bundled: nothing is fetched from a CDN.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 6000 },
  server: { proxy: { "/api": { target: "http://127.0.0.1:8080", ws: true }, "/preview": "http://127.0.0.1:8080", "/vendor": "http://127.0.0.1:8080" } },
  test: { environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"] },
});
