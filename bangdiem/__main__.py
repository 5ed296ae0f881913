from bangdiem.cli import main

main()
