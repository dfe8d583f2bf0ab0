#1776562972
ls -la /srv
#1776563014
free -m
#1776570719
systemctl status app
#1776570808
journalctl -u nginx --since today
#1776571313
uptime
#1776571389
journalctl -u nginx --since today
#1776579060
free -m
#1776579159
journalctl -u nginx --since today
#1776579619
uptime
#1776579638
df -h
#1776605692
df -h
#1776605801
free -m
#1776606427
uptime
#1776606546
ls -la /srv
#1776628570
df -h
#1776628671
journalctl -u nginx --since today
#1776669404
uptime
#1776669458
tail -n 50 /var/log/syslog
#1776676841
journalctl -u nginx --since today
#1776676850
df -h
#1776691049
uptime
#1776691169
df -h
#1776708341
tail -n 50 /var/log/syslog
#1776708392
uptime
#1776725599
ls -la /srv
#1776725631
journalctl -u nginx --since today
#1776761225
tail -n 50 /var/log/syslog
#1776761245
free -m
#1776778906
systemctl status app
#1776779026
free -m
#1776779306
free -m
#1776779319
journalctl -u nginx --since today
#1776831575
journalctl -u nginx --since today
#1776831580
free -m
#1776847833
uptime
#1776847870
df -h
#1776848705
df -h
#1776848812
journalctl -u nginx --since today
#1776893002
df -h
#1776893037
journalctl -u nginx --since today
#1776896990
df -h
#1776897100
tail -n 50 /var/log/syslog
