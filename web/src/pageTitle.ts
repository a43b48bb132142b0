import { useEffect } from "react";

/** Names the browser tab (and the history entry) after the page: "Counter — ReactLab". */
export function usePageTitle(title: string | null | undefined) {
  useEffect(() => {
    document.title = title ? `${title} — ReactLab` : "ReactLab";
  }, [title]);
}
