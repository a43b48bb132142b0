import { memo, useEffect, useState } from "react";

function Clock() {
  const [ticks, setTicks] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setTicks((t) => t + 1), 1000);
    return () => clearInterval(id);
  }, []);
  return <span>{ticks}</span>;
}

export default memo(Clock);
