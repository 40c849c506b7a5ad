// compose page enhancements (filled in below)
