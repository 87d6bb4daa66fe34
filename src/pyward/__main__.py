from pyward._cli import main

raise SystemExit(main())
