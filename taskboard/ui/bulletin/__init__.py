"""The 通报 (bulletin): the 文件 → 生成通报… action and its preview-and-issue dialog."""
