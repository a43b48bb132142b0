import { useCallback, useEffect, useRef } from "react";
import { follow, type SocketEvent } from "./api";

/**
 * Follows one submission at a time over the result socket. Following another, or
 * unmounting, stops the one before: its socket closes and is not opened again.
 * Returns `follow` with the same signature (the stop function it gives may be called early).
 */
export function useFollow(): (id: string, onEvent: (e: SocketEvent) => void) => () => void {
  const stop = useRef<(() => void) | null>(null);
  useEffect(() => () => {
    stop.current?.();
    stop.current = null;
  }, []);
  return useCallback((id: string, onEvent: (e: SocketEvent) => void) => {
    stop.current?.();
    const stopThis = follow(id, onEvent);
    stop.current = stopThis;
    return stopThis;
  }, []);
}
